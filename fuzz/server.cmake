# Server-to-server request bodies (forwarded apply results and statuses).
consulate_fuzz(server_forward fuzz_server_forward.cc LIBS consulate_server)
