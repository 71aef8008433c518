# Turns the JSON schema into a C++ source file (build step, see CMakeLists.txt).
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUT} "// Generated from schemas/flamingo.schema.json. Do not edit.\n#include <string_view>\nnamespace flamingo::schemas {\nstatic const char kData[] = {${bytes} 0};\nstd::string_view EmbeddedSchema() { return {kData, sizeof(kData) - 1}; }\n}  // namespace flamingo::schemas\n")
