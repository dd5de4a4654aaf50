"""Carepath console: the clinicians' worklist and patient pages and the operators' view."""
