# sensor_plugin(NAME src...): build a detector plugin as a loadable module
# with hidden visibility, so that only its IDS_PLUGIN_EXPORT entry symbol is
# exported, against include/ alone. The module lands in the build tree's
# plugin folder and installs beside the installed binary's.
function(sensor_plugin name)
  list(GET ARGN 0 _first)
  if(NOT EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${_first}")
    return() # not written yet while the tree is bootstrapped
  endif()
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${SENSOR_PLUGIN_OUTPUT_DIR}")
  target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}/include")
  install(TARGETS ${name} LIBRARY DESTINATION "${SENSOR_PLUGIN_SUBDIR}")
endfunction()
