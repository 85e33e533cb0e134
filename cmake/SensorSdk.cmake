# The SDK for third-party plugins, installed with the sensor:
#   - the headers (include/ids), installed by the top CMakeLists.txt;
#   - the test kit: tests/support as the static library libsensor-testkit.a
#     with its headers in <includedir>/sensor-testkit (the in-tree tests
#     link the same library as `testsupport`);
#   - pkg-config files sensor-plugin.pc and sensor-testkit.pc;
#   - the CMake package SensorPlugin (Sensor::plugin, Sensor::testkit,
#     sensor_add_plugin, SENSOR_BIN).
# Templates are cmake/*.in; every installed path is relative to the file
# that names it, so an installed tree can be moved (`cmake --install
# --prefix` anywhere).
include(CMakePackageConfigHelpers)

# The plugin ABI the installed headers declare.
file(STRINGS "${PROJECT_SOURCE_DIR}/include/ids/plugin.h" _abi REGEX "^#define IDS_ABI_M(AJ|IN)OR ")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*" "\\1.\\2" SENSOR_ABI_VERSION "${_abi}")
set(_sdk_support "${PROJECT_SOURCE_DIR}/tests/support")

add_library(testkit STATIC ${_sdk_support}/pcapgen.c ${_sdk_support}/pcapgen_tunnel.c
            ${_sdk_support}/json_read.c
            ${_sdk_support}/run.c ${_sdk_support}/itest.c)
set_target_properties(testkit PROPERTIES OUTPUT_NAME sensor-testkit
                      POSITION_INDEPENDENT_CODE ON)
target_include_directories(testkit PUBLIC "${_sdk_support}")
install(TARGETS testkit ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${_sdk_support}/itest.h ${_sdk_support}/json_read.h ${_sdk_support}/pcapgen.h
              ${_sdk_support}/run.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sensor-testkit)

# pkg-config: the prefix as seen from <libdir>/pkgconfig.
file(RELATIVE_PATH SENSOR_PC_PREFIX_FROM_PCDIR
     "${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" SENSOR_PC_PREFIX_FROM_PCDIR "${SENSOR_PC_PREFIX_FROM_PCDIR}")
foreach(_pc sensor-plugin sensor-testkit)
  configure_file(cmake/${_pc}.pc.in "${CMAKE_BINARY_DIR}/sdk/${_pc}.pc" @ONLY)
  install(FILES "${CMAKE_BINARY_DIR}/sdk/${_pc}.pc"
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

set(_sdk_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/SensorPlugin)
configure_package_config_file(cmake/SensorPluginConfig.cmake.in
  "${CMAKE_BINARY_DIR}/sdk/SensorPluginConfig.cmake"
  INSTALL_DESTINATION ${_sdk_cmake_dir}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_BINDIR
            SENSOR_PLUGIN_SUBDIR)
write_basic_package_version_file("${CMAKE_BINARY_DIR}/sdk/SensorPluginConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_BINARY_DIR}/sdk/SensorPluginConfig.cmake"
              "${CMAKE_BINARY_DIR}/sdk/SensorPluginConfigVersion.cmake"
        DESTINATION ${_sdk_cmake_dir})
