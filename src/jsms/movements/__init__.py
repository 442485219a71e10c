"""Movements: journeys of protected persons — route choice, requests, SOP checks, conflicts, approval,
escorts, checkpoints and check-ins (the road network and router are in `geo.roads`)."""
