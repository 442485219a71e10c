"""Alerts: raised, acknowledged, escalated and resolved; delivered to pages, webhooks, e-mail and CAP."""
