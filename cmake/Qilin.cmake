# Shared CMake helpers for Qilin.

set(QILIN_RTL_DIR ${CMAKE_SOURCE_DIR}/rtl)

# qilin_verilate(<library> TOP <module> PREFIX <Vname> SOURCES <sv...> [PARAMS -GName=V ...]
#                [NO_COVERAGE])
# Verilates one configuration of a module into the static library <library>, which
# must already exist. Several configurations can share one library (distinct PREFIXes);
# the Verilator runtime is then compiled once.
function(qilin_verilate lib)
  cmake_parse_arguments(QV "NO_COVERAGE" "TOP;PREFIX" "SOURCES;PARAMS" ${ARGN})
  set(cover)
  # NO_COVERAGE: regression-only parameter variants of RTL whose coverage the default
  # configurations already measure; uninstrumented, they build several times faster.
  set(covargs)
  if(QILIN_COVERAGE AND NOT QV_NO_COVERAGE)
    # Line/branch and cover-property points everywhere; toggle points only in the models
    # listed in QILIN_TOGGLE_MODELS, and only on signals up to 32 bits: full-width toggle
    # coverage makes the generated C++ 10-15x larger (a Dim 8 qilin_core: 4 MB -> 56 MB).
    list(APPEND covargs --coverage-line --coverage-user)
    if(QV_PREFIX IN_LIST QILIN_TOGGLE_MODELS)
      list(APPEND covargs --coverage-toggle --coverage-max-width 32)
    endif()
    # verilate() defines VM_COVERAGE only privately; the harness needs to know too.
    target_compile_definitions(${lib} PUBLIC QILIN_COVERAGE=1)
    # Functional cover points: tb/cover/<module>_cov.sv binds a cover module into <module>;
    # it is added to every model that contains <module>, in coverage builds only.
    foreach(src ${QV_SOURCES})
      get_filename_component(mod ${src} NAME_WE)
      if(EXISTS ${CMAKE_SOURCE_DIR}/tb/cover/${mod}_cov.sv)
        list(APPEND cover ${CMAKE_SOURCE_DIR}/tb/cover/${mod}_cov.sv)
      endif()
    endforeach()
  endif()
  set(incdirs ${QILIN_RTL_DIR}/common)
  if(cover)
    list(APPEND incdirs ${CMAKE_SOURCE_DIR}/tb/cover)  # qilin_cov.svh
  endif()
  # verilate() learns the list of generated C++ files only when it runs Verilator at
  # configure time; at build time it re-verilates but keeps the old list. An RTL edit that
  # changed the list then broke the next incremental build (stale objects: missing
  # `__Vdlyv...` members, undefined `...nba_comb...`). So: reconfigure on any edit to a file
  # Verilator read, and make verilate() re-run Verilator if one is newer than its last run.
  set(vdir ${CMAKE_CURRENT_BINARY_DIR}/${QV_PREFIX})
  set(deps ${QV_SOURCES} ${cover})
  if(EXISTS ${vdir}/${QV_PREFIX}_copy.cmake)
    include(${vdir}/${QV_PREFIX}_copy.cmake)  # ${QV_PREFIX}_DEPS: every file it read
    list(FILTER ${QV_PREFIX}_DEPS INCLUDE REGEX "^${CMAKE_SOURCE_DIR}/")
    list(APPEND deps ${${QV_PREFIX}_DEPS})
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${deps})
  foreach(dep IN LISTS deps)
    if(EXISTS ${vdir}/verilator_args.txt AND "${dep}" IS_NEWER_THAN ${vdir}/verilator_args.txt)
      file(REMOVE ${vdir}/verilator_args.txt)
      break()
    endif()
  endforeach()
  verilate(${lib} TRACE_FST
    TOP_MODULE ${QV_TOP}
    PREFIX ${QV_PREFIX}
    SOURCES ${QV_SOURCES} ${cover}
    INCLUDE_DIRS ${incdirs}
    DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/${QV_PREFIX}
    # Verilated sources are large and flat: -O1 builds several times faster than -O3
    # and simulates nearly as fast; the rarely run "slow" (init/trace-setup) code gets -O0.
    OPT_FAST -O1 OPT_SLOW -O0 OPT_GLOBAL -O1
    VERILATOR_ARGS --assert --x-assign unique --x-initial unique ${covargs} ${QV_PARAMS})
endfunction()

# qilin_catch_test(<exe> SOURCES <cpp...> LIBS <libs...>): a Catch2 test binary whose
# TEST_CASEs are each registered with CTest (so `ctest -j` spreads them over cores).
function(qilin_catch_test exe)
  cmake_parse_arguments(QT "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${exe} ${QT_SOURCES})
  target_link_libraries(${exe} PRIVATE qilin_catch_main ${QT_LIBS})
  catch_discover_tests(${exe} TEST_PREFIX "${exe}:" PROPERTIES TIMEOUT 600)
endfunction()
