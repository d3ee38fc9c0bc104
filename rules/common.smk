# Shared values for all rule files: the raw articles the workflow sees.

ARTICLES = sorted(glob_wildcards(f"{config['articles_dir']}/{{article}}.txt").article)

wildcard_constraints:
    article="[A-Za-z0-9_.-]+",
