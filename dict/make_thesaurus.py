#!/usr/bin/env python3
"""Makes dict/thesaurus.txt from Sudachi's synonym dictionary.

    npm pack sudachi-synonyms-dictionary@18.0.0 && tar xzf sudachi-synonyms-dictionary-18.0.0.tgz
    python3 dict/make_thesaurus.py package/sudachi-synonyms-dictionary.json > dict/thesaurus.txt

The npm package carries SudachiDict's synonyms.txt (WorksApplications,
Apache License 2.0) as JSON: groups of headwords, each with its vocabulary
number inside the group and flags.  The table keeps, per group, the words
in normal form (NFKC and case folding, as bidx normalises text), one
vocabulary after another with " | " between them; a word Sudachi marks as
not starting an expansion (expand control 1) is led by "~", one it marks as
never expanded (2) is left out, and so are English spellings of Japanese
words (dust, station: 表記揺れ "アルファベット表記"), which would match
English text for a Japanese question; abbreviations in letters (PC, DV)
stay.  Nothing here depends on any collection or query: the table is
Sudachi's, filtered by its own flags.  searcher/thesaurus.h reads it.
"""
import json
import sys
import unicodedata

HEADER = """\
# thesaurus.txt: words of the same meaning, for `bsearch --any` (searcher/thesaurus.h).
# Made by dict/make_thesaurus.py from Sudachi's synonym dictionary (SudachiDict,
# synonyms.txt, Works Applications Co., Ltd., Apache License 2.0: THESAURUS-LICENSE)
# as the npm package sudachi-synonyms-dictionary 18.0.0 carries it.
# One group a line, in normal form; " | " between the group's vocabularies
# (one vocabulary: spellings and abbreviations of one word); "~" before a word
# found through the others that finds nothing itself.  Regenerate, do not edit.
"""


def norm(s):
    return unicodedata.normalize("NFKC", s).casefold().strip()


def main():
    groups = json.load(open(sys.argv[1], encoding="utf-8"))
    out = sys.stdout
    out.write(HEADER)
    for g in groups:
        vocabs = {}
        for it in g["items"]:
            if it["expandControl"] == 2 or it["hyoukiYure"] == "アルファベット表記":
                continue
            w = norm(it["midashi"])
            if not w or any(c in w for c in " \t|~#"):
                continue
            tok = ("~" if it["expandControl"] == 1 else "") + w
            words = vocabs.setdefault(it["vocabularyNumber"] or 0, [])
            if tok not in words and ("~" + w) not in words and w not in words:
                words.append(tok)
        if sum(len(v) for v in vocabs.values()) < 2:
            continue
        out.write(" | ".join(" ".join(v) for _, v in sorted(vocabs.items())) + "\n")


if __name__ == "__main__":
    main()
