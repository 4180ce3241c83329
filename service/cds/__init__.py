"""CDS Hooks 2.0 for clinical systems: FHIR R4 in, cards out, on the same engine, lexicon and content.

No Flask here (service/http/cds.py is the HTTP side). content.py loads and checks data/*.toml (the card
statements in English, cards.toml, and per language, cards.es.toml); locale.py picks the language;
codes.py checks code syntax; jsontext.py decodes the large bodies fast and exactly as strictly as any
other; chart.py pre-reads which resources can change the answer and maps them to the engine's facts;
fhir.py validates those; cards.py renders the engine's assessment as cards; requests.py checks the CDS
Hooks envelopes; auth.py verifies the clients' JWTs; ids.py makes card uuids that carry their kind;
services.py puts them together.
"""
