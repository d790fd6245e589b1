"""The camera, street cross-section and drawing queue of one street scene."""
import numpy as np

from .appearance import StyleBook
from .materials import STREET_MATERIALS
from .primitives import SegmentCanvas
from .street_labels import SKY


class StreetView:
    """One street scene being drawn: a pinhole camera over a flat street,
    the segment canvas, the materials and the queue of objects.

    World coordinates are metres: X to the right, Y up, Z forward (depth),
    the camera at (0, camera_height, 0) looking along +Z with no roll. The
    street runs along Z: road between ``road_left`` and ``road_right``,
    sidewalks outside it up to the building facades. Objects are placed in
    the world and projected, so sizes follow the image size and perspective
    (near things are large, far things tiny) without special cases.
    """

    def __init__(self, rng, height, width):
        self.rng = rng
        self.height = height
        self.width = width
        self.styles = StyleBook(rng, STREET_MATERIALS)
        self.canvas = SegmentCanvas(height, width, SKY, self.styles('sky'))

        # Camera.
        self.horizon_y = height * rng.uniform(0.33, 0.52)
        self.vanish_x = width * rng.uniform(0.4, 0.6)
        self.focal = width * rng.uniform(0.55, 0.8)
        self.camera_height = rng.uniform(1.4, 2.4)

        # Street cross-section (the camera drives on the road).
        self.road_left = -rng.uniform(1.8, 8.0)
        self.road_right = rng.uniform(1.8, 8.0)
        self.facade_left = self.road_left - rng.uniform(1.5, 5.0)
        self.facade_right = self.road_right + rng.uniform(1.5, 5.0)
        self.street_end = rng.uniform(60.0, 160.0)
        self.z_near = 0.3
        # Depth of the ground seen at the bottom image row; objects are
        # placed beyond it. Capped so that very flat images (whose bottom row
        # is far away) still have room for objects.
        self.z_bottom = min(
            self.focal * self.camera_height /
            max(height - self.horizon_y, 1.0), 20.0)
        # (depth, insertion index, draw method, args), painted far to near.
        self.objects = []

    # -- projection ---------------------------------------------------------

    def project(self, x, y, z):
        """World points to pixel (x, y); arrays broadcast, result (..., 2)."""
        z = np.maximum(z, self.z_near)
        col = self.vanish_x + self.focal * np.asarray(x) / z
        row = self.horizon_y + self.focal * (self.camera_height -
                                             np.asarray(y)) / z
        points = np.empty(
            np.broadcast_shapes(np.shape(col), np.shape(row)) + (2, ))
        points[..., 0] = col
        points[..., 1] = row
        return points

    def pixels(self, metres, z):
        """Size in pixels of ``metres`` seen at depth ``z``."""
        return self.focal * metres / max(z, self.z_near)

    def ground_quad(self, x0, x1, z0, z1):
        """Pixel outline of the ground rectangle [x0, x1] x [z0, z1]."""
        return self.project([x0, x1, x1, x0], 0.0, [z0, z0, z1, z1])

    def side_of(self, x):
        """The facade on the side of the street of lateral position x."""
        return self.facade_left if x < 0 else self.facade_right

    def new(self, label, material, **overrides):
        """A new segment of ``label`` drawn in ``material``."""
        return self.canvas.new_segment(label,
                                       self.styles(material, **overrides))

    # -- drawing queue ------------------------------------------------------

    def add(self, depth, draw, *args):
        """Queue ``draw(*args)`` for painting at ``depth``."""
        self.objects.append((depth, len(self.objects), draw, args))

    def draw_objects(self):
        # Painter's algorithm: far objects first; the insertion index breaks
        # ties so the order never depends on comparing functions.
        for _, _, draw, args in sorted(
                self.objects, key=lambda item: (-item[0], item[1])):
            draw(*args)

    def billboard(self, x, z, local_points):
        """Project points given in metres (u right, h up) on a plane facing
        the camera at (x, z)."""
        local = np.asarray(local_points, dtype=np.float64)
        return self.project(x + local[:, 0], local[:, 1], z)
