package ai.lepton.api;

import java.util.List;

/**
 * The images of a zip of class folders (the classes and their image counts are the profile's
 * class balance).
 *
 * @param classes the class folder names, sorted
 * @param minWidth the narrowest image, in pixels
 * @param maxWidth the widest image
 * @param minHeight the lowest image
 * @param maxHeight the highest image
 * @param channels the channel counts seen (1 gray, 2 gray and alpha, 3 RGB, 4 RGBA), ascending
 */
public record ImagesProfile(List<String> classes, int minWidth, int maxWidth, int minHeight,
    int maxHeight, List<Integer> channels) {
  public ImagesProfile {
    classes = List.copyOf(classes);
    channels = List.copyOf(channels);
  }
}
