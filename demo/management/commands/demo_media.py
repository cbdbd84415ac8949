"""Remake the demo's photos (Pillow) and audio clips (espeak-ng + LAME) in fixtures/demo/.

Seeding never runs this: the files are in the repository. Run it after changing demo/artwork.py or a
product's `spoken_vi` text; it needs the Debian packages espeak-ng and lame.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo import artwork, media
from demo.province import PRODUCERS

#: JPEG quality of the photos: smooth illustrations stay clean at 82 and weigh ~40-60 KB.
JPEG_QUALITY = 82
#: Speech: espeak-ng's northern Vietnamese voice a little slower than its default, MP3 at 24 kbit/s mono.
VOICE, WORDS_PER_MINUTE, MP3_KBPS = "vi", "140", "24"


class Command(BaseCommand):
    help = "Redraw the demo photos and re-record the demo audio clips in fixtures/demo/."

    def add_arguments(self, parser):
        parser.add_argument("--photos-only", action="store_true", help="Do not remake the audio clips.")

    def handle(self, *args, photos_only=False, **options):
        media.PHOTO_DIR.mkdir(parents=True, exist_ok=True)
        for name, draw in artwork.PICTURES.items():
            draw().save(media.PHOTO_DIR / name, quality=JPEG_QUALITY, optimize=True, progressive=True)
            self.stdout.write(f"photos/{name}")
        if photos_only:
            return
        espeak, lame = shutil.which("espeak-ng"), shutil.which("lame")
        if espeak is None or lame is None:
            raise CommandError("espeak-ng or lame is missing: apt-get install espeak-ng lame")
        media.AUDIO_DIR.mkdir(parents=True, exist_ok=True)
        products = {product.audio: product.spoken_vi for producer in PRODUCERS for product in producer.products}
        with tempfile.TemporaryDirectory() as tmp:
            for name, text in sorted(products.items()):
                wav = Path(tmp) / "speech.wav"
                speak = [espeak, "-v", VOICE, "-s", WORDS_PER_MINUTE, "-w", str(wav), text]
                subprocess.run(speak, check=True)  # noqa: S603 - Debian's tool, our own text
                encode = [lame, "--quiet", "-m", "m", "-b", MP3_KBPS, "--resample", "22.05", str(wav)]
                subprocess.run([*encode, str(media.AUDIO_DIR / name)], check=True)  # noqa: S603
                self.stdout.write(f"audio/{name}")
