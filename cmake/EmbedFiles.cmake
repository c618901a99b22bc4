# Embeds files (OpenCL C sources, SPIR-V binaries) into a generated C++ source as byte
# arrays, each with the FNV-1a 64 hash of its bytes so caches can key on content.
function(tandem_embed_files)
  cmake_parse_arguments(E "" "OUTPUT;NAMESPACE" "FILES;DEPENDS" ${ARGN})
  add_custom_command(
    OUTPUT ${E_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${E_OUTPUT} -DNAMESPACE=${E_NAMESPACE}
            "-DFILES=${E_FILES}" -P ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    DEPENDS ${E_FILES} ${E_DEPENDS} ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    COMMENT "Embedding ${E_NAMESPACE} files"
    VERBATIM)
endfunction()
