"""Importing this module registers every domain's event handlers and periodic work with the
outbox dispatcher (the server and `jsms worker` both import it)."""

import jsms.alerts.tasks
import jsms.risk.service
import jsms.tracking.tasks

REGISTERED = (jsms.alerts.tasks, jsms.risk.service, jsms.tracking.tasks)
