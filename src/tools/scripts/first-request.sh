# Sourced by the cold-start scripts: the bundled model's first request, the same in every measurement.
# shellcheck shell=bash
FIRST_V2_BODY='{"inputs":[{"name":"input_ids","datatype":"INT64","shape":[1,4],"data":[101,7592,2088,102]},
{"name":"attention_mask","datatype":"INT64","shape":[1,4],"data":[1,1,1,1]},
{"name":"token_type_ids","datatype":"INT64","shape":[1,4],"data":[0,0,0,0]}]}'

v2_infer() { # port: one v2 inference of the four tokens; succeeds only when it is answered 200
  curl -sf -o /dev/null -X POST "http://localhost:$1/v2/models/all-minilm-l6-v2/infer" -d "$FIRST_V2_BODY"
}
