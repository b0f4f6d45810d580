"""Server-rendered HTML for data stewards: the validate form and the report (no JavaScript).

Everything interpolated is escaped with :func:`html.escape`.
"""

from html import escape

from ascf_graph.rdf.io import SYNTAXES
from ascf_graph.shacl.validation import ValidationReport, ValidationResult, compact

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.15rem; margin-top: 2rem; word-break: break-all; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9rem; }
fieldset { border: 1px solid #bbb; margin: 1rem 0; padding: 1rem; }
button { font-size: 1rem; padding: .5rem 1.5rem; background: #0b5394; color: #fff; border: 0; }
.verdict { font-size: 1.2rem; padding: .75rem 1rem; border-left: .4rem solid; }
.conforms { border-color: #2e7d32; background: #e8f5e9; }
.fails { border-color: #c62828; background: #ffebee; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #ccc; padding: .4rem;
       vertical-align: top; text-align: left; }
.Violation { color: #c62828; font-weight: bold; } .Warning { color: #a65e00; font-weight: bold; }
.Info { color: #0b5394; } .fix { background: #f5f5f5; } code { overflow-wrap: anywhere; }
td:nth-child(2) code { white-space: nowrap; }
"""


def page(title: str, body: str) -> str:
    """A complete HTML page."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · ascf-graph</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def validate_form(max_bytes: int) -> str:
    """The page where a steward pastes or uploads data to check it."""
    options = "".join(
        f'<option value="{escape(s.name)}">{escape(s.name)} ({escape(s.media_type)})</option>'
        for s in SYNTAXES
    )
    accept = ",".join([f".{s.extension}" for s in SYNTAXES] + [".csv"])
    body = f"""
<h1>Check your city and project data</h1>
<p>Paste or upload RDF (Turtle, JSON-LD, RDF/XML, N-Triples, N-Quads, TriG) or a projects
spreadsheet saved as CSV from the <a href="/templates/projects-template.csv">projects
template</a> (see the <a href="/templates/projects-example.csv">filled example</a>).
It is checked against the ASEAN Smart Cities Framework shapes and the framework's concepts;
nothing you send here is stored. Up to {max_bytes // 1024} KiB.</p>
<form method="post" action="/validate" enctype="multipart/form-data">
<fieldset><legend>Upload a file</legend>
<input type="file" id="file" name="file" accept="{escape(accept)}">
</fieldset>
<fieldset><legend>or paste the data</legend>
<textarea id="text" name="text" rows="14"
 placeholder="@prefix ascf: &lt;https://w3id.org/ascf/def/&gt; ."></textarea>
<p><label for="format">Format</label>
<select id="format" name="format"><option value="">from the file name (Turtle when pasted)</option>
{options}<option value="csv">csv (projects template)</option></select></p>
</fieldset>
<button type="submit" id="check">Check</button>
</form>
"""
    return page("Validate", body)


def report_page(report: ValidationReport, *, source: str) -> str:
    """The report for people: the verdict, then each node's problems with how to fix them."""
    verdict_class = "conforms" if report.conforms else "fails"
    verdict = (
        "Your data conforms: it can be submitted."
        if report.conforms
        else "Your data does not conform yet: fix each Violation below, then check again."
    )
    sections = [
        f"<h1>Validation report</h1>\n<p>Checked: <code>{escape(source)}</code></p>",
        f'<p class="verdict {verdict_class}" id="verdict">{escape(verdict)}<br>'
        f"{escape(report.summary())}</p>",
    ]
    for node, results in report.by_focus_node().items():
        rows = "".join(_row(result) for result in results)
        sections.append(
            f"<h2>{escape(compact(node))}</h2>\n<table>\n<tr><th>severity</th><th>property</th>"
            f"<th>what is wrong</th><th>value</th></tr>\n{rows}</table>"
        )
    sections.append('<p><a href="/validate">Check other data</a></p>')
    return page("Validation report", "\n".join(sections))


def error_page(status: int, message: str) -> str:
    """An error for people, e.g. a syntax error with its line and column."""
    body = (
        f"<h1>The data could not be checked ({status})</h1>\n"
        f'<p class="verdict fails" id="error">{escape(message)}</p>\n'
        '<p><a href="/validate">Back to the form</a></p>'
    )
    return page("Cannot check the data", body)


def _row(result: ValidationResult) -> str:
    path = escape(compact(result.path)) if result.path else ""
    value = f"<code>{escape(compact(result.value))}</code>" if result.value is not None else ""
    fix = f'<div class="fix">How to fix: {escape(result.fix)}</div>' if result.fix else ""
    return (
        f'<tr><td class="{escape(result.severity)}">{escape(result.severity)}</td>'
        f"<td><code>{path}</code></td><td>{escape(result.message)}{fix}</td>"
        f"<td>{value}</td></tr>\n"
    )
