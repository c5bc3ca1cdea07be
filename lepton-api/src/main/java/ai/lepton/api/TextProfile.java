package ai.lepton.api;

/**
 * A plain text file, one sample per line.
 *
 * @param lines all lines, blank ones included (the profile's rows count the non-blank ones)
 * @param blankLines lines holding only whitespace
 * @param minLength the shortest non-blank line, in characters
 * @param maxLength the longest line
 * @param meanLength the mean length of non-blank lines
 * @param words the words in all lines (lower-cased, split on spaces and punctuation)
 * @param vocabulary the distinct words: exact up to the limit of values tracked, then estimated
 * @param vocabularyEstimated whether {@code vocabulary} is an estimate
 */
public record TextProfile(long lines, long blankLines, int minLength, int maxLength,
    double meanLength, long words, long vocabulary, boolean vocabularyEstimated) {}
