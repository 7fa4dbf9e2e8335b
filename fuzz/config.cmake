# Config module fuzz targets: the HCL v1 parser, and JSON config files through the whole loader.
consulate_fuzz(hcl fuzz_hcl.cc LIBS consulate_config)
consulate_fuzz(json_config fuzz_json_config.cc LIBS consulate_config)
