"""Schemathesis hooks for `make fuzz`: one documented answer the schema cannot state.

Sign-up refuses a password that is too common or too similar to the user's details (Django's
validators). No schema can say which passwords those are, so the 422 documents them: entries of
type `password_invalid` whose `ctx.rule` names the rule. A schema-valid sign-up refused with
exactly that answer is not a contract failure; any other refusal, of any operation, still is.
"""

from typing import Any

import schemathesis
from schemathesis import Case, HookContext, Response
from schemathesis.core.failures import Failure

SIGN_UP = "POST /v1/users/"
RULES_NO_SCHEMA_STATES = frozenset({"password_too_common", "password_too_similar"})
SCHEMA_VALID_REJECTED = "ST202"


@schemathesis.hook
def filter_failure(
    context: HookContext, failure: Failure, case: Case[Any], response: Response
) -> bool:
    return not is_documented_password_refusal(
        operation=case.operation.label,
        code=failure.code,
        status=response.status_code,
        body=_json(response),
    )


def is_documented_password_refusal(*, operation: str, code: str, status: int, body: Any) -> bool:
    if (operation, code, status) != (SIGN_UP, SCHEMA_VALID_REJECTED, 422):
        return False
    problems = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(problems, list) or not problems:
        return False
    return all(_is_rule_no_schema_states(problem) for problem in problems)


def _is_rule_no_schema_states(problem: Any) -> bool:
    return (
        isinstance(problem, dict)
        and problem.get("type") == "password_invalid"
        and problem.get("loc") == ["body", "password"]
        and (problem.get("ctx") or {}).get("rule") in RULES_NO_SCHEMA_STATES
    )


def _json(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
