# The layering rule of DESIGN.md ("Codecs and state machines are pure"): the
# pure libraries (shared/ but shared/net, signaling/ but signaling/io, turn/
# but turn/io, app's cli, liveness and service manager) include neither Boost
# (Asio, Beast) nor the io layers. Run by ctest as `layering`:
#   cmake -DROOT=<source dir> -P tests/layering.cmake
file(GLOB pure_sources
  ${ROOT}/shared/*.hpp ${ROOT}/shared/*.cpp
  ${ROOT}/signaling/*.hpp ${ROOT}/signaling/*.cpp
  ${ROOT}/signaling/protocol/*.hpp ${ROOT}/signaling/protocol/*.cpp
  ${ROOT}/turn/*.hpp ${ROOT}/turn/*.cpp
  ${ROOT}/turn/stun/*.hpp ${ROOT}/turn/stun/*.cpp
  ${ROOT}/app/cli.* ${ROOT}/app/liveness.* ${ROOT}/app/service_manager.*)
list(LENGTH pure_sources count)
if(count LESS 50)
  message(FATAL_ERROR "layering: found only ${count} pure sources under ${ROOT}: wrong ROOT?")
endif()
set(violations "")
foreach(file ${pure_sources})
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](boost/|shared/net/|signaling/io/|turn/io/)")
  foreach(line ${lines})
    file(RELATIVE_PATH rel ${ROOT} ${file})
    string(APPEND violations "\n  ${rel}: ${line}")
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "layering: pure code includes Asio/Beast or an io layer:${violations}")
endif()
message(STATUS "layering: ${count} pure sources, none includes Boost or an io layer")
