# Compiles the report's browser assets (src/report/web) into metahuman_lib; included by the top
# CMakeLists.txt after the library is defined.
set(MH_REPORT_WEB_DIR ${CMAKE_CURRENT_LIST_DIR})
set(MH_REPORT_ASSETS_CPP ${CMAKE_BINARY_DIR}/generated/report_assets.cpp)
add_custom_command(
  OUTPUT ${MH_REPORT_ASSETS_CPP}
  COMMAND ${CMAKE_COMMAND} -DWEB_DIR=${MH_REPORT_WEB_DIR} -DOUT=${MH_REPORT_ASSETS_CPP}
          -P ${MH_REPORT_WEB_DIR}/embed_assets.cmake
  DEPENDS ${MH_REPORT_WEB_DIR}/embed_assets.cmake ${MH_REPORT_WEB_DIR}/vendor/chart.umd.min.js
          ${MH_REPORT_WEB_DIR}/report.js ${MH_REPORT_WEB_DIR}/report.css
          ${MH_REPORT_WEB_DIR}/live.js
  COMMENT "Embedding the report's browser assets"
  VERBATIM)
target_sources(metahuman_lib PRIVATE ${MH_REPORT_ASSETS_CPP})
