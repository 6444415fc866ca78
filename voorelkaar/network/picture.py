"""The network as circles, drawn on the server as SVG (the table beside it says the same)."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from voorelkaar.models import Closeness, NetworkMember

SIZE = 360
CENTRE = SIZE / 2
RADII = {Closeness.CLOSE: 80, Closeness.FURTHER: 150}


def circles_svg(members: list[NetworkMember], you: str, title: str, description: str) -> Markup:
    """An SVG picture: "you" in the middle, close people on the inner ring, others outside.

    The picture has a title and a description for screen readers (role="img"); the names
    are in the table beside it as well.
    """
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        'aria-labelledby="netwerk-titel netwerk-uitleg" class="network-picture" focusable="false">',
        f'<title id="netwerk-titel">{escape(title)}</title>',
        f'<desc id="netwerk-uitleg">{escape(description)}</desc>',
    ]
    for radius in RADII.values():
        parts.append(
            f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{radius}" class="network-picture__ring"/>'
        )
    parts.append(f'<circle cx="{CENTRE}" cy="{CENTRE}" r="24" class="network-picture__you"/>')
    parts.append(
        f'<text x="{CENTRE}" y="{CENTRE + 5}" text-anchor="middle" '
        f'class="network-picture__you-label">{escape(you)}</text>'
    )
    for closeness, radius in RADII.items():
        ring = [m for m in members if m.closeness == closeness]
        for index, member in enumerate(ring):
            angle = -math.pi / 2 + 2 * math.pi * index / max(len(ring), 1)
            x = CENTRE + radius * math.cos(angle)
            y = CENTRE + radius * math.sin(angle)
            joined = " network-picture__person--joined" if member.joined else ""
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" class="network-picture__person{joined}"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{y - 14:.1f}" text-anchor="middle" '
                f'class="network-picture__name">{escape(member.first_name[:14])}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it is escaped above
