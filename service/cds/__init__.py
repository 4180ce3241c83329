"""CDS Hooks 2.0 for clinical systems: FHIR R4 in, cards out, on the same engine, lexicon and content.

No Flask here (service/http/cds.py is the HTTP side). content.py loads and checks data/*.toml; codes.py
checks code syntax; fhir.py validates the FHIR read; chart.py maps it to the engine's facts; cards.py
renders the engine's assessment as cards; requests.py checks the CDS Hooks envelopes; auth.py verifies
the clients' JWTs; ids.py makes card uuids that carry their kind; services.py puts them together.
"""
