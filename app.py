"""The Chalice app: creates it, registers blueprints and middleware. Nothing else."""

from chalice import Chalice, ConvertToMiddleware

from chalicelib.api import allocation as allocation_routes
from chalicelib.api import (
    applications,
    auth,
    local,
    notices,
    operators,
    partners,
    private,
    reference,
    reports,
    service_centre,
    survey,
    system,
    uploads,
    verify,
    webhooks,
)
from chalicelib.api import contracts as contract_routes
from chalicelib.api import directions as direction_routes
from chalicelib.api.responses import in_project_words
from chalicelib.functions import directions, jobs, pki, queue
from chalicelib.functions import reports as report_schedule
from chalicelib.observability import logger, tracer
from chalicelib.settings import get_settings, tracing_enabled

app = Chalice(app_name="balabaqsha")
app.api.binary_types.append("application/pdf")  # the draft contract is downloaded as it is
app.api.binary_types.append("application/zip")  # «download all documents»
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context))
if tracing_enabled():  # the X-Ray SDK is imported only then
    app.register_middleware(ConvertToMiddleware(tracer().capture_lambda_handler))
app.register_middleware(in_project_words, "http")

app.register_blueprint(system.bp)
app.register_blueprint(auth.bp)
app.register_blueprint(reference.bp)
app.register_blueprint(verify.bp)
app.register_blueprint(uploads.bp)
app.register_blueprint(applications.bp)
app.register_blueprint(survey.bp)
app.register_blueprint(notices.bp)
app.register_blueprint(operators.bp)
app.register_blueprint(service_centre.bp)
app.register_blueprint(private.bp)
app.register_blueprint(pki.bp)
app.register_blueprint(queue.bp)
app.register_blueprint(direction_routes.bp)
app.register_blueprint(allocation_routes.bp)
app.register_blueprint(partners.bp)
app.register_blueprint(contract_routes.bp)
app.register_blueprint(directions.bp)
app.register_blueprint(webhooks.bp)
app.register_blueprint(jobs.bp)
app.register_blueprint(reports.bp)
app.register_blueprint(report_schedule.bp)
if get_settings().stage != "prod":
    app.register_blueprint(local.bp)  # local stack only: every route is a 404 unless the movable clock is on
