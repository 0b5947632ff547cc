"""In a real ipykernel: displayed plots stay attachable after the inline backend closes them."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.kernel

CELLS = [
    # What the extension does at load time.
    "from kuroryuu_magic.context import image_capture, images\n"
    "assert image_capture.install(get_ipython())",
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2]);",
    # The inline backend has closed the figure by now; --plot must still find the image.
    "import base64, io\n"
    "from PIL import Image\n"
    "assert not plt.get_fignums()\n"
    "block = images.current_figure_block()\n"
    "img = Image.open(io.BytesIO(base64.b64decode(block['source']['data'])))\n"
    "print('plot', block['source']['media_type'], img.size[0] > 100)",
    # Out[2] held no value (the `;`), yet the image that cell displayed is found.
    "block = images.image_block('Out[2]', shell=get_ipython())\n"
    "print('out', block['source']['media_type'])",
]


def test_plot_and_out_images_in_a_real_kernel(tmp_path: object) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {}}).execute()
    printed = "".join(
        o.get("text", "") for cell in nb.cells for o in cell.outputs if o.output_type == "stream"
    )
    assert "plot image/png True" in printed
    assert "out image/png" in printed
    shown = [o for o in nb.cells[1].outputs if o.output_type == "display_data"]
    assert shown and "image/png" in shown[0]["data"]  # the user's output was left intact
