"""The Chalice app: creates it, registers blueprints and middleware. Nothing else."""

from chalice import Chalice, ConvertToMiddleware

from chalicelib.api import auth, system
from chalicelib.observability import logger, tracer

app = Chalice(app_name="balabaqsha")
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context))
app.register_middleware(ConvertToMiddleware(tracer.capture_lambda_handler))

app.register_blueprint(system.bp)
app.register_blueprint(auth.bp)
