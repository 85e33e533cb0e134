/*
 * md2man - turns the small Markdown subset of the docs/man pages into a roff
 * man page at build time (no tool beyond the C compiler needed).
 *
 *   md2man IN.md OUT SECTION DATE VERSION
 *
 * The subset: a first line "# name - summary"; "## HEADING" (.SH) and
 * "### Sub" (.SS); paragraphs separated by blank lines; "- item" list
 * items; "    " indented or ``` fenced literal blocks; `code` (bold) and
 * *word* (italic) inline; "term" lines followed by ": text" definition
 * lines (.TP). Roff's special characters are escaped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void text(FILE *o, const char *s, int literal)
{
	int bold = 0, ital = 0;

	if (*s == '.' || *s == '\'')
		fputs("\\&", o);
	for (; *s && *s != '\n'; s++) {
		if (*s == '\\')
			fputs("\\e", o);
		else if (*s == '-')
			fputs("\\-", o);
		else if (!literal && *s == '`') {
			fputs(bold ? "\\fR" : "\\fB", o);
			bold = !bold;
		} else if (!literal && *s == '*' && !bold &&
			   (ital || (s[1] && !isspace((unsigned char)s[1])))) {
			fputs(ital ? "\\fR" : "\\fI", o);
			ital = !ital;
		} else
			fputc(*s, o);
	}
	if (bold || ital)
		fputs("\\fR", o);
	fputc('\n', o);
}

static void upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

int main(int argc, char **argv)
{
	FILE *in, *o;
	char line[4096], name[4096] = "", *dash;
	int fenced = 0, first = 1;

	if (argc != 6) {
		fprintf(stderr, "usage: md2man IN.md OUT SECTION DATE VERSION\n");
		return 2;
	}
	in = fopen(argv[1], "r");
	o = fopen(argv[2], "w");
	if (!in || !o) {
		perror("md2man");
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (first && !strncmp(line, "# ", 2)) {
			snprintf(name, sizeof(name), "%s", line + 2);
			dash = strstr(name, " - ");
			if (dash)
				*dash = '\0';
			upper(name);
			fprintf(o, ".TH %s %s \"%s\" \"sensor %s\"\n.SH NAME\n", name, argv[3],
				argv[4], argv[5]);
			text(o, line + 2, 1);
			first = 0;
		} else if (!strncmp(line, "```", 3)) {
			fputs(fenced ? ".fi\n.RE\n" : ".RS 4\n.nf\n", o);
			fenced = !fenced;
		} else if (fenced) {
			text(o, line, 1);
		} else if (!strncmp(line, "### ", 4)) {
			fputs(".SS ", o);
			text(o, line + 4, 0);
		} else if (!strncmp(line, "## ", 3)) {
			upper(line);
			fputs(".SH ", o);
			text(o, line + 3, 1);
		} else if (!line[0]) {
			fputs(".PP\n", o);
		} else if (!strncmp(line, "- ", 2)) {
			fputs(".IP \\(bu 2\n", o);
			text(o, line + 2, 0);
		} else if (!strncmp(line, ": ", 2)) {
			text(o, line + 2, 0);
		} else if (!strncmp(line, "    ", 4)) {
			fputs(".nf\n", o);
			text(o, line + 4, 1);
			fputs(".fi\n", o);
		} else {
			long pos = ftell(in);
			char next[4096] = "";

			/* A term followed by ": definition" starts a .TP. */
			if (fgets(next, sizeof(next), in) && !strncmp(next, ": ", 2))
				fputs(".TP\n", o);
			fseek(in, pos, SEEK_SET);
			text(o, line, 0);
		}
	}
	fclose(in);
	return fclose(o) ? 1 : 0;
}
