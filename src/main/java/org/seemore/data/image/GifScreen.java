package org.seemore.data.image;

import org.w3c.dom.Node;

import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.util.Arrays;

/**
 * Places a GIF's first frame on its logical screen as Pillow does. The JDK reader returns only
 * the frame's rectangle; Pillow's image is the logical screen (grown to hold the frame if needed),
 * filled with the frame's transparent index, or index 0 when it has none, with the frame pasted at
 * its offset. Pillow then converts the whole screen through the frame's palette.
 */
final class GifScreen {
    private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
    private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

    private GifScreen() {}

    static BufferedImage placeFirstFrame(ImageReader reader, BufferedImage frame) throws IOException {
        IIOMetadata streamMetadata = reader.getStreamMetadata();
        IIOMetadata imageMetadata = reader.getImageMetadata(0);
        if (streamMetadata == null || imageMetadata == null || !(frame.getColorModel() instanceof IndexColorModel palette)) {
            return frame;
        }
        Node screen = child(streamMetadata.getAsTree(STREAM_FORMAT), "LogicalScreenDescriptor");
        Node descriptor = child(imageMetadata.getAsTree(IMAGE_FORMAT), "ImageDescriptor");
        if (screen == null || descriptor == null) return frame;
        int left = intAttribute(descriptor, "imageLeftPosition", 0);
        int top = intAttribute(descriptor, "imageTopPosition", 0);
        int width = Math.max(intAttribute(screen, "logicalScreenWidth", 0), left + frame.getWidth());
        int height = Math.max(intAttribute(screen, "logicalScreenHeight", 0), top + frame.getHeight());
        if (left == 0 && top == 0 && width == frame.getWidth() && height == frame.getHeight()) return frame;
        if ((long) width * height > ImageDecoder.MAX_PIXELS) {
            throw new IllegalArgumentException("logical screen of " + width + "x" + height + " pixels is too large");
        }

        Node control = child(imageMetadata.getAsTree(IMAGE_FORMAT), "GraphicControlExtension");
        boolean transparent = control != null && "TRUE".equalsIgnoreCase(attribute(control, "transparentColorFlag"));
        int fill = transparent ? intAttribute(control, "transparentColorIndex", 0) : 0;

        WritableRaster raster = palette.createCompatibleWritableRaster(width, height);
        int[] row = new int[Math.max(width, frame.getWidth())];
        Arrays.fill(row, 0, width, fill);
        for (int y = 0; y < height; y++) raster.setSamples(0, y, width, 1, 0, row);
        for (int y = 0; y < frame.getHeight(); y++) {
            frame.getRaster().getSamples(0, y, frame.getWidth(), 1, 0, row);
            raster.setSamples(left, top + y, frame.getWidth(), 1, 0, row);
        }
        return new BufferedImage(palette, raster, false, null);
    }

    private static Node child(Node parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node.getNodeName().equals(name)) return node;
        }
        return null;
    }

    private static String attribute(Node node, String name) {
        Node attribute = node.getAttributes().getNamedItem(name);
        return attribute == null ? null : attribute.getNodeValue();
    }

    private static int intAttribute(Node node, String name, int fallback) {
        String value = attribute(node, name);
        return value == null ? fallback : Integer.parseInt(value);
    }
}
