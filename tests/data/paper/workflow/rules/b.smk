# Write the paper's *numbers*
# and tables.
rule write_paper_inputs:
    output: "y"
    shell: "true"

rule uncommented:
    output: "z"
    shell: "true"
