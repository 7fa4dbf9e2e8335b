# Raft storage decoders: segment files (ScanSegment + SegmentLog::Open recovery), snapshot files
# and the hard-state file.
consulate_fuzz(segment fuzz_segment.cc LIBS consulate_raft)
