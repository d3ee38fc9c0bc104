# Parse each raw article into segments | with a pipe.
rule parse_article:
    output: "x"
    shell: "true"
