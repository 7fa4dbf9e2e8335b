# Filter expressions (bexpr grammar, validation, evaluation) and the RE2-syntax regexp engine.
consulate_fuzz(filter fuzz_filter.cc LIBS consulate_filter)
