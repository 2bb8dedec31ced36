# Every C++ file is as .clang-format says (STYLE.md convention 5). Run by
# ctest as `format`; fix with: clang-format -i $(git ls-files '*.cpp' '*.hpp')
#   cmake -DROOT=<source dir> -DCLANG_FORMAT=<path> -P tests/format.cmake
if(NOT CLANG_FORMAT)
  message(FATAL_ERROR "format: clang-format not found (scripts/install-deps.sh --test installs it)")
endif()
file(GLOB_RECURSE sources
  ${ROOT}/shared/*.cpp ${ROOT}/shared/*.hpp ${ROOT}/signaling/*.cpp ${ROOT}/signaling/*.hpp
  ${ROOT}/turn/*.cpp ${ROOT}/turn/*.hpp ${ROOT}/app/*.cpp ${ROOT}/app/*.hpp
  ${ROOT}/bench/*.cpp ${ROOT}/fuzz/*.cpp ${ROOT}/tests/unit/*.cpp ${ROOT}/tests/unit/*.hpp
  ${ROOT}/tests/integration/*.cpp ${ROOT}/tests/integration/*.hpp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${sources}
                RESULT_VARIABLE result ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "format: files differ from .clang-format:\n${errors}")
endif()
list(LENGTH sources count)
message(STATUS "format: ${count} files as .clang-format says")
