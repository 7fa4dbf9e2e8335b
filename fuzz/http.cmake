consulate_fuzz(http_parser fuzz_http_parser.cc LIBS consulate_http_parser)
# Requests and responses a client agent forwards to a server.
consulate_fuzz(http_forwarding fuzz_http_forwarding.cc LIBS consulate_http)
