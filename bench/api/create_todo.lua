-- POST /v1/todos with a JSON body. The Authorization header comes from wrk's -H option.
wrk.method = "POST"
wrk.body = '{"title": "Benchmark todo", "description": "Created under load by wrk."}'
wrk.headers["Content-Type"] = "application/json"
