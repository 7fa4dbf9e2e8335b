# Gossip wire decoders: msgpack values, UDP packets (compound/compress/CRC/encryption and every
# message body), TCP stream frames (push/pull), and LZW.
consulate_fuzz(gossip_msgpack fuzz_gossip_msgpack.cc LIBS consulate_gossip)
consulate_fuzz(gossip_packet fuzz_gossip_packet.cc LIBS consulate_gossip)
consulate_fuzz(gossip_stream fuzz_gossip_stream.cc LIBS consulate_gossip)
consulate_fuzz(gossip_lzw fuzz_gossip_lzw.cc LIBS consulate_gossip)
