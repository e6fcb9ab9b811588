"""Scripted journeys: YAML stories of applicants and clerks over virtual days, replayed three ways.

    yamlines, schema, loader      the format: YAML with lines kept, the JSON Schema, the checks (file:line: reason)
    vocabulary, model             the steps a journey may take and what the loader makes of them
    people                        actors and answers made by Faker from the journey's seed
    transport, pages, clients     what every transport shares; reading pages; test client or urllib
    page_transport                the steps over the real pages (in-process or over HTTP)
    browser_transport             the steps in Chromium, clicking the real pages
    clock, testbed, state         the shared virtual clock, the test-mode set-up, the read-only snapshots
    runner, expectations          replaying and checking; reports: console, JUnit XML, HTML
    targets                       --target URL and --browser
    in_process, workers           in-process: one app, a fresh database per journey; `run -n N` in N processes
    export                        one application's audit history as a journey

Nothing here imports Flask: the in-process transport drives the Flask test client by duck typing.
"""
