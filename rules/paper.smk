# The paper: numbers and tables generated from the data, the Arabic font for the PDF, a static check
# that needs no Quarto, and the Quarto render itself (not part of `all`: Quarto is an optional extra).

import glob

# Tables written by kzshutdowns.paper_inputs (its TABLE_NAMES; a test keeps the two lists equal).
PAPER_TABLES = [
    "city_report_places",
    "city_report_evidence",
    "colophon",
    "events",
    "geocoder_evaluation",
    "measures",
    "services",
    "sources_per_event",
    "triggers",
    "unresolved_mentions",
    "workflow_rules",
]
# Font files of the Amiri family (fontpkg-amiri on PyPI) and its licence, copied for Typst.
PAPER_FONTS = ["Amiri-Bold.ttf", "Amiri-BoldItalic.ttf", "Amiri-Italic.ttf", "Amiri-Regular.ttf", "OFL.txt"]
PAPER_FIGURES = ["city_reports_map", "event_map", "timeline", "services_matrix", "triggers_measures"]
# Everything Quarto reads: sources, generated inputs, figures in the HTML and Typst formats, fonts.
PAPER_INPUTS = {
    "document": "paper/paper.qmd",
    "project": "paper/_quarto.yml",
    "bibliography": "paper/references.bib",
    "variables": "paper/_variables.yml",
    "tables": expand("paper/_generated/{table}.md", table=PAPER_TABLES),
    "figures": expand("paper/figures/{name}.{ext}", name=PAPER_FIGURES, ext=["svg", "pdf"]),
    "fonts": expand("paper/fonts/{font}", font=PAPER_FONTS),
}


# Compute every number (paper/_variables.yml) and table (paper/_generated/*.md) the paper quotes.
rule write_paper_inputs:
    input:
        events="data/processed/shutdowns.csv",
        events_schema="data/reference/shutdowns.schema.json",
        sources="data/processed/sources.csv",
        sources_schema="data/reference/sources.schema.json",
        platforms="data/reference/platforms.csv",
        platforms_schema="data/reference/platforms.schema.json",
        reports="data/processed/city_reports.csv",
        unresolved="data/processed/unresolved_mentions.csv",
        evaluation="data/processed/geocoder_evaluation.csv",
        segments=expand("data/interim/segments/{article}.parquet", article=ARTICLES),
        snakefile="Snakefile",
        rule_files=sorted(glob.glob("rules/*.smk")),
        code=[
            "scripts/kzshutdowns/paper_inputs.py",
            "scripts/kzshutdowns/events.py",
            "scripts/kzshutdowns/dates.py",
            "scripts/kzshutdowns/platforms.py",
            "scripts/kzshutdowns/table_schema.py",
        ],
    output:
        variables="paper/_variables.yml",
        tables=expand("paper/_generated/{table}.md", table=PAPER_TABLES),
    # The end of the longest chain: ahead of any job still waiting when its inputs are done.
    priority: 40
    log:
        "logs/write_paper_inputs/write_paper_inputs.log",
    benchmark:
        "logs/write_paper_inputs/write_paper_inputs.benchmark.tsv"
    shell:
        "python -m kzshutdowns.paper_inputs --events {input.events} --events-schema {input.events_schema}"
        " --sources {input.sources} --sources-schema {input.sources_schema} --platforms {input.platforms}"
        " --city-reports {input.reports} --unresolved {input.unresolved}"
        " --geocoder-evaluation {input.evaluation} --segments {input.segments}"
        " --snakefile {input.snakefile} --repository . --variables {output.variables}"
        " --tables-dir paper/_generated > {log} 2>&1"


# Copy the Arabic-capable font (Amiri, OFL 1.1) from its PyPI package into paper/fonts/ for Typst.
rule copy_paper_font:
    input:
        code="scripts/kzshutdowns/paper_font.py",
    output:
        expand("paper/fonts/{font}", font=PAPER_FONTS),
    log:
        "logs/copy_paper_font/copy_paper_font.log",
    shell:
        "python -m kzshutdowns.paper_font --family Amiri --output-dir paper/fonts > {log} 2>&1"


# Check the paper without Quarto: references, labels, includes, variables, citations, images, no code.
rule check_paper:
    input:
        **PAPER_INPUTS,
        code="scripts/kzshutdowns/paper_check.py",
    output:
        "data/interim/paper_check.txt",
    priority: 40
    log:
        "logs/check_paper/check_paper.log",
    shell:
        "python -m kzshutdowns.paper_check {input.document} --output {output} > {log} 2>&1"


# Render paper/_output/paper.html and paper.pdf with Quarto; fails with install instructions without it.
rule render_paper:
    input:
        **PAPER_INPUTS,
        check="data/interim/paper_check.txt",
        code="scripts/kzshutdowns/render_paper.py",
    output:
        html="paper/_output/paper.html",
        pdf="paper/_output/paper.pdf",
    log:
        summary="logs/render_paper/render_paper.log",
        quarto="logs/render_paper/quarto.log",
    shell:
        "python -m kzshutdowns.render_paper --project paper --html {output.html} --pdf {output.pdf}"
        " --log {log.quarto} 2>&1 | tee {log.summary}"
