"""The paths the benchmark loads, in a module without Django: the runner never sets Django up."""

LIST_PATH = "/v1/todos"
CEILING_PATH = "/bench/ceiling"

PROBE_PREFIX = "/bench/probe"
PARAMETERS_PROBE = f"{PROBE_PREFIX}/parameters"
THREAD_HOP_PROBE = f"{PROBE_PREFIX}/thread-hop"
ASYNC_QUERY_PROBE = f"{PROBE_PREFIX}/async-query"
ASYNC_QUERY_JSON_PROBE = f"{PROBE_PREFIX}/async-query-json"
# The probes that answer exactly what the list answers; the JSON one writes it differently.
SAME_ANSWER_PROBES = (PARAMETERS_PROBE, THREAD_HOP_PROBE, ASYNC_QUERY_PROBE)
