"""The roles x routes table that tests/web/test_authz_matrix.py runs: every route of the app and the status
each actor gets. Reviewers and audited organisations reach only the routes that name their role (403
elsewhere)."""

from __future__ import annotations

ACTORS = ("anon", "field", "field_other", "lead", "lead_other", "admin", "reviewer", "auditee")
R = 303  # anonymous: sent to the login page

# (method, path) -> status per actor, in ACTORS order
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/"): (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/healthz"): (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/s/{token}"): (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/s/{token}"): (422, 422, 422, 422, 422, 422, 422, 422),
    ("GET", "/s/{token}/thanks/{receipt}"): (200, 200, 200, 200, 200, 200, 200, 200),
    # the demo campaign does not take residents' photos (and the body is not a multipart photo)
    ("POST", "/s/{token}/photo"): (415, 415, 415, 415, 415, 415, 415, 415),
    ("GET", "/login"): (200, 303, 303, 303, 303, 303, 303, 303),
    ("POST", "/login"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("POST", "/logout"): (R, 303, 303, 303, 303, 303, 303, 303),
    ("GET", "/campaigns"): (R, 200, 200, 200, 200, 200, 403, 403),
    # lead1's own page; admins see all
    ("GET", "/users/{username}/sessions"): (R, 403, 403, 200, 403, 200, 403, 403),
    ("POST", "/users/{username}/sessions/end"): (R, 403, 403, 303, 403, 303, 403, 403),
    ("GET", "/campaigns/new"): (R, 403, 403, 200, 200, 200, 403, 403),
    ("POST", "/campaigns/new"): (R, 403, 403, 422, 422, 422, 403, 403),
    ("GET", "/c/{code}"): (R, 200, 404, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/edit"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/edit"): (R, 403, 403, 422, 404, 422, 403, 403),
    ("POST", "/c/{code}/close"): (R, 403, 403, 303, 404, 303, 403, 403),
    ("GET", "/c/{code}/copy"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/copy"): (R, 403, 403, 422, 404, 422, 403, 403),
    ("GET", "/c/{code}/locations"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/locations/import"): (R, 403, 403, 422, 404, 422, 403, 403),
    ("POST", "/c/{code}/locations/generate"): (R, 403, 403, 422, 404, 422, 403, 403),
    ("POST", "/c/{code}/locations/{loc}/rotate"): (R, 403, 403, 303, 404, 303, 403, 403),
    ("GET", "/c/{code}/locations/{loc}/edit"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/locations/{loc}/edit"): (R, 403, 403, 422, 404, 422, 403, 403),  # no name given
    # deactivating needs a reason
    ("POST", "/c/{code}/locations/{loc}/active"): (R, 403, 403, 422, 404, 422, 403, 403),
    # it has a response: kept
    ("POST", "/c/{code}/locations/{loc}/delete"): (R, 403, 403, 409, 404, 409, 403, 403),
    ("GET", "/c/{code}/posters.pdf"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/posters/{loc}.png"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/posters/{loc}"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/instruments"): (R, 403, 403, 200, 200, 200, 403, 403),
    ("GET", "/c/{code}/report"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/audit"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/audit.csv"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/findings"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/findings"): (R, 403, 403, 422, 404, 422, 403, 403),  # nothing filled in
    ("GET", "/c/{code}/findings/{finding:id}"): (R, 403, 403, 404, 404, 404, 403, 403),  # no finding 999
    ("POST", "/c/{code}/findings/{finding:id}/move"): (R, 403, 403, 404, 404, 404, 403, 403),
    # earns no certificate: say so first
    ("POST", "/c/{code}/report/lock"): (R, 403, 403, 422, 404, 422, 403, 403),
    ("GET", "/c/{code}/report/analysis"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/report/analysis.pdf"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/export/{what:str}.{fmt:str}"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/report/breakdown.{fmt:str}"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/report/reopen"): (R, 403, 403, 409, 404, 409, 403, 403),  # nothing locked yet
    ("GET", "/c/{code}/review"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/tasks"): (R, 403, 403, 422, 404, 422, 403, 403),  # nothing said about what to check
    ("POST", "/c/{code}/tasks/{task:id}"): (R, 403, 403, 404, 404, 404, 403, 403),  # no such task
    ("POST", "/c/{code}/review/draw"): (R, 403, 403, 422, 404, 422, 403, 403),  # nothing scored to draw from
    # nothing drawn yet: to the desk
    ("GET", "/c/{code}/review/draw"): (R, 403, 403, 303, 404, 303, 403, 403),
    ("POST", "/c/{code}/review/bulk"): (R, 403, 403, 422, 404, 422, 403, 403),  # no decision given
    ("GET", "/c/{code}/r/{receipt}"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/r/{receipt}/photo/{item}"): (R, 403, 403, 404, 404, 404, 403, 403),  # no photo there
    ("POST", "/c/{code}/r/{receipt}/reveal"): (R, 403, 403, 409, 404, 409, 403, 403),  # no phone was left
    ("POST", "/c/{code}/r/{receipt}/callback"): (R, 403, 403, 422, 404, 422, 403, 403),  # no outcome given
    ("POST", "/c/{code}/r/{receipt}/decide"): (R, 403, 403, 422, 404, 422, 403, 403),  # no decision given
    # an unknown certificate (a survey token)
    ("GET", "/cert/{token}"): (404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/cert/{token}/qr.{fmt}"): (404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/cert/{token}/certificate.jws"): (404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/cert/{token}/status.jws"): (404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/.well-known/jwks.json"): (200, 200, 200, 200, 200, 200, 200, 200),  # public keys, for anyone
    ("POST", "/instruments"): (R, 403, 403, 422, 422, 422, 403, 403),
    ("GET", "/c/{code}/visits"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/visits"): (R, 403, 403, 422, 404, 422, 403, 403),  # no window given
    # field1: blind until all are in
    ("GET", "/c/{code}/visits/{visit:id}"): (R, 403, 404, 200, 404, 200, 403, 403),
    ("POST", "/c/{code}/visits/{visit:id}/cancel"): (R, 403, 403, 422, 404, 422, 403, 403),  # no reason given
    # sheet not in yet
    ("POST", "/c/{code}/visits/{visit:id}/reconcile"): (R, 409, 404, 409, 404, 409, 403, 403),
    ("GET", "/f"): (R, 200, 200, 200, 200, 200, 403, 403),  # everyone's own (possibly empty) list
    ("GET", "/f/outbox"): (R, 200, 200, 200, 200, 200, 403, 403),  # drawn from the phone's own store
    ("POST", "/c/{code}/jobs"): (R, 403, 403, 422, 404, 422, 403, 403),  # no kind of file named
    ("GET", "/c/{code}/jobs/{job:id}"): (R, 403, 403, 404, 404, 404, 403, 403),  # no such job
    ("GET", "/c/{code}/jobs/{job:id}/file"): (R, 403, 403, 404, 404, 404, 403, 403),
    ("GET", "/manifest.webmanifest"): (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/sw.js"): (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/offline"): (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/app"): (R, 303, 303, 303, 303, 303, 403, 403),  # on to the user's start page
    ("GET", "/f/v/{visit:id}"): (R, 200, 403, 403, 403, 403, 403, 403),  # only the assigned auditor
    ("POST", "/f/v/{visit:id}/checkin"): (R, 303, 403, 403, 403, 403, 403, 403),
    ("POST", "/f/v/{visit:id}/checkout"): (R, 409, 403, 403, 403, 403, 403, 403),  # not checked in
    ("POST", "/f/v/{visit:id}/step/{step:id}"): (R, 409, 403, 403, 403, 403, 403, 403),  # not checked in
    ("POST", "/f/v/{visit:id}/submit"): (R, 422, 403, 403, 403, 403, 403, 403),  # required items missing
    ("POST", "/f/v/{visit:id}/photo"): (R, 422, 403, 403, 403, 403, 403, 403),  # no photo chosen
    ("GET", "/f/v/{visit:id}/sheet/{sheet:id}"): (R, 200, 403, 200, 403, 200, 403, 403),
    ("GET", "/f/v/{visit:id}/interview"): (R, 303, 403, 403, 403, 403, 403, 403),  # not an interview round
    ("POST", "/f/v/{visit:id}/interview"): (R, 303, 403, 403, 403, 403, 403, 403),
    ("GET", "/f/e/{evidence:id}/{size}"): (R, 200, 403, 200, 403, 200, 403, 403),
    # lead1's own page; admins see all
    ("GET", "/users/{username}/tokens"): (R, 403, 403, 200, 403, 200, 403, 403),
    # the new token is shown once
    ("POST", "/users/{username}/tokens"): (R, 403, 403, 200, 403, 200, 403, 403),
    # no such token
    ("POST", "/users/{username}/tokens/{token:id}/revoke"): (R, 403, 403, 404, 403, 404, 403, 403),
    ("GET", "/instruments/{instrument}/{version:id}.xlsx"): (R, 403, 403, 200, 200, 200, 403, 403),
    ("GET", "/instruments/{instrument}/{version:id}/preview"): (R, 403, 403, 200, 200, 200, 403, 403),
    ("GET", "/q"): (200, 200, 200, 200, 200, 200, 200, 200),  # the box to type a poster code
    ("GET", "/q/{code}"): (404, 404, 404, 404, 404, 404, 404, 404),  # the campaign code is no poster code
    ("GET", "/c/{code}/close"): (R, 403, 403, 200, 404, 200, 403, 403),  # the confirmation page
    ("POST", "/c/{code}/reopen"): (R, 403, 403, 409, 404, 409, 403, 403),  # it is not closed
    ("GET", "/c/{code}/locations/{loc}/rotate"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/c/{code}/report/lock"): (R, 403, 403, 200, 404, 200, 403, 403),
    ("GET", "/users"): (R, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/users"): (R, 403, 403, 403, 403, 422, 403, 403),  # no user name given
    ("POST", "/users/{username}/roles"): (R, 403, 403, 403, 403, 422, 403, 403),  # no role ticked
    # the temporary password shown once
    ("POST", "/users/{username}/reset"): (R, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/users/{username}/active"): (R, 403, 403, 403, 403, 200, 403, 403),  # deactivating asks first
    ("GET", "/users/{username}/password"): (R, 403, 403, 200, 403, 403, 403, 403),  # only your own
    # current password missing
    ("POST", "/users/{username}/password"): (R, 403, 403, 422, 403, 403, 403, 403),
    ("GET", "/api/v1/openapi.json"): (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/campaigns"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/api/v1/campaigns/{code}"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/api/v1/campaigns/{code}/locations"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/api/v1/campaigns/{code}/responses"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/api/v1/campaigns/{code}/responses.jsonl"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/api/v1/campaigns/{code}/callbacks"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/api/v1/campaigns/{code}/findings"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/api/v1/campaigns/{code}/grade"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/api/v1/campaigns/{code}/grade/locked"): (401, 401, 401, 401, 401, 401, 401, 401),
    ("GET", "/a"): (303, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "/a/{code}/findings/{finding:id}"): (303, 403, 403, 403, 403, 403, 403, 404),
    ("GET", "/a/{code}/findings/{finding:id}/files/{file:id}"): (303, 403, 403, 403, 403, 403, 403, 404),
    ("GET", "/c/{code}/decision"): (303, 403, 403, 403, 403, 200, 200, 403),
    ("GET", "/c/{code}/decision/{decision:id}/letter.pdf"): (303, 403, 403, 403, 403, 404, 404, 403),
    ("GET", "/c/{code}/findings/{finding:id}/files/{file:id}"): (303, 403, 403, 404, 404, 404, 403, 403),
    ("GET", "/decisions"): (303, 403, 403, 403, 403, 200, 200, 403),
    ("POST", "/a/{code}/findings/{finding:id}"): (303, 403, 403, 403, 403, 403, 403, 404),
    ("POST", "/a/{code}/findings/{finding:id}/files"): (303, 403, 403, 403, 403, 403, 403, 404),
    ("POST", "/c/{code}/decision"): (303, 403, 403, 403, 403, 403, 422, 403),
    ("POST", "/c/{code}/findings/invite"): (303, 403, 403, 422, 404, 422, 403, 403),
}  # fmt: skip
