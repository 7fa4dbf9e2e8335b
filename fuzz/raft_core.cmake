# The Raft core's message decoder, and the core itself fed with whatever decodes.
consulate_fuzz(raft_message fuzz_raft_message.cc LIBS consulate_raft_core)
