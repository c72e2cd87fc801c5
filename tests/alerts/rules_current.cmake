# Fails when deploy/prometheus/rules/tome.yml is not what `tome alerts export` writes from
# config/tome.yaml now. Fix: build/app/tome alerts export --format prometheus -o deploy/prometheus/rules/tome.yml
execute_process(COMMAND ${TOME} alerts export --format prometheus --config ${CONFIG} -o ${OUT}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tome alerts export failed (${rc}): ${err}")
endif()
file(READ ${OUT} generated)
file(READ ${COMMITTED} committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "${COMMITTED} is stale: the alert rules in ${CONFIG} export differently now. "
                      "Run: tome alerts export --format prometheus -o deploy/prometheus/rules/tome.yml")
endif()
