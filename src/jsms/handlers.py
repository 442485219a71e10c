"""Importing this module registers every domain's event handlers and periodic work with the
outbox dispatcher (the server and `jsms worker` both import it)."""

import jsms.alerts.tasks
import jsms.coordination.tasks
import jsms.risk.service
import jsms.tracking.tasks

REGISTERED = (jsms.alerts.tasks, jsms.coordination.tasks, jsms.risk.service, jsms.tracking.tasks)
