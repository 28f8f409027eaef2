"""Step 2 · plot_image: one image on its subplot, titled with its class name.

The image arrives flattened (784 values) and is drawn as 28 × 28; the label is a class number or a
one-hot row; `location` is a 3-digit number (121) or a tuple (1, 2, 1); `plt` is matplotlib.pyplot
or a Figure — the notebooks pass a Figure, `kata train` passes pyplot — so every test runs with both.
Drawn off-screen (Agg).
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as pyplot  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

import input_data  # noqa: E402
from kata.feedback import expect_close, expect_shape, fail  # noqa: E402


@pytest.fixture(params=["pyplot", "figure"])
def plt(request):
    """What the learner's plot_image gets as `plt`: pyplot with one fresh, empty current figure, or
    that Figure itself. Every figure is closed afterwards."""
    pyplot.close("all")
    figure = pyplot.figure()
    yield pyplot if request.param == "pyplot" else figure
    pyplot.close("all")


def figure_of(plt):
    return plt if hasattr(plt, "add_subplot") else plt.gcf()


def an_image(seed=0):
    """A flattened 28 × 28 image (784,) float32 in [0, 1], with a bright diagonal."""
    image = np.random.default_rng(seed).random((28, 28)).astype(np.float32) * 0.5
    image[np.arange(28), np.arange(28)] = 1.0
    return image.reshape(784)


def one_hot(number):
    row = np.zeros(10, np.float32)
    row[number] = 1
    return row


def draw(plt, load_step, data, label, location=111):
    """Call the learner's plot_image and check it returned the Axes it drew on."""
    axes = load_step("plot_image").plot_image(plt, data, label, (28, 28), location)
    if not isinstance(axes, Axes):
        fail(f"plot_image devolvió {type(axes).__name__}; debía devolver los Axes donde dibujó.",
             f"plot_image returned {type(axes).__name__}; it should return the Axes it drew on.",
             cause_es="guarda el subplot (axes = plt.subplot(location)) y termina con return axes.",
             cause_en="keep the subplot (axes = plt.subplot(location)) and finish with return axes.")
    return axes


def drawn_image(axes):
    """The pixel array of the last image shown on `axes`."""
    images = axes.get_images()
    if not images:
        fail("plot_image no mostró ninguna imagen en los Axes que devolvió.",
             "plot_image showed no image on the Axes it returned.",
             cause_es="dibuja con axes.imshow(imagen) sobre el subplot que devuelves.",
             cause_en="draw with axes.imshow(image) on the subplot you return.")
    return np.asarray(images[-1].get_array())


def check_title(axes, number, label=None):
    """The title names class `number`; when it does not, the cause is read off the figure: the name
    put elsewhere, argmax taken of an integer label, or another class's name."""
    name = input_data.LABELS[number]
    title = axes.get_title()
    if name in title:
        return
    cause_es = cause_en = ""
    if name in axes.get_xlabel() or name in axes.get_ylabel():
        cause_es, cause_en = (f"el nombre {name!r} está en la etiqueta de un eje, no en el título: axes.set_title(...).",
                              f"the name {name!r} is in an axis label, not in the title: axes.set_title(...).")
    elif label is not None and np.ndim(label) == 0 and number != 0 and input_data.LABELS[0] in title:
        cause_es, cause_en = ("np.argmax de una etiqueta entera (un solo número) es siempre 0: usa la etiqueta tal cual "
                              "cuando es un número (np.ndim(label) == 0) y np.argmax solo si es one-hot.",
                              "np.argmax of an integer label (a single number) is always 0: use the label as it is "
                              "when it is a number (np.ndim(label) == 0) and np.argmax only for a one-hot row.")
    elif str(number) in title or any(other in title for other in input_data.LABELS.values()):
        cause_es, cause_en = ("input_data.LABELS[número] da el nombre de la clase; con una etiqueta one-hot el número es "
                              "np.argmax(label).",
                              "input_data.LABELS[number] gives the class name; for a one-hot label the number is "
                              "np.argmax(label).")
    fail(f"el título es {title!r}; debía contener el nombre de la clase {number}: {name!r}.",
         f"the title is {title!r}; it should contain the name of class {number}: {name!r}.",
         cause_es=cause_es, cause_en=cause_en)


def check_place(axes, rows, cols, index):
    """`index` counts from 1, as in plt.subplot(rows, cols, index)."""
    spec = axes.get_subplotspec()
    got = None if spec is None else spec.get_geometry()
    expected = (rows, cols, index - 1, index - 1)
    if got != expected:
        fail(f"el subplot debía ir en la rejilla {rows}×{cols}, posición {index}; "
             f"llegó {'un Axes fuera de rejilla' if got is None else f'{got[0]}×{got[1]}, posición {got[2] + 1}'}.",
             f"the subplot should sit in the {rows}×{cols} grid, position {index}; "
             f"got {'an Axes outside any grid' if got is None else f'{got[0]}×{got[1]}, position {got[2] + 1}'}.",
             cause_es="crea el subplot con location: plt.subplot(location), o plt.subplot(*location) si es una tupla.",
             cause_en="create the subplot from location: plt.subplot(location), or plt.subplot(*location) for a tuple.")


def test_an_ankle_boot_label_9_is_drawn_28x28_and_titled_ankle_boot(plt, load_step):
    data = an_image()
    axes = draw(plt, load_step, data, 9)
    pixels = drawn_image(axes)
    expect_shape(pixels, (28, 28), "la imagen dibujada", "the drawn image",
                 cause_es="reconstruye la imagen con np.reshape(data, size) antes de imshow.",
                 cause_en="rebuild the image with np.reshape(data, size) before imshow.")
    transposed = np.allclose(pixels, data.reshape(28, 28).T)
    expect_close(pixels, data.reshape(28, 28), "la imagen dibujada", "the drawn image",
                 cause_es="la imagen salió traspuesta (filas por columnas); no uses .T." if transposed else "",
                 cause_en="the image came out transposed (rows for columns); do not use .T." if transposed else "")
    check_title(axes, 9, 9)


def test_returns_the_axes_it_drew_on_inside_the_figure_it_was_given(plt, load_step):
    axes = draw(plt, load_step, an_image(1), 3)
    if axes not in figure_of(plt).axes:
        fail("los Axes devueltos no están en la figura que recibió plot_image.",
             "the returned Axes are not in the figure plot_image was given.",
             cause_es="crea el subplot en `plt` (plt.subplot, o plt.add_subplot si es una Figure); no crees una figura nueva.",
             cause_en="create the subplot on `plt` (plt.subplot, or plt.add_subplot for a Figure); do not create a new figure.")


@pytest.mark.parametrize("number", [0, 4, 8])
def test_title_names_the_class_of_a_one_hot_label(plt, load_step, number):
    check_title(draw(plt, load_step, an_image(number), one_hot(number)), number)


@pytest.mark.parametrize("number", [1, 6])
def test_title_names_the_class_of_an_integer_label(plt, load_step, number):
    check_title(draw(plt, load_step, an_image(number), number), number, number)


@pytest.mark.parametrize("location, place", [(223, (2, 2, 3)), (132, (1, 3, 2)), (111, (1, 1, 1))])
def test_a_three_digit_location_places_the_subplot(plt, load_step, location, place):
    check_place(draw(plt, load_step, an_image(), 5, location), *place)


@pytest.mark.parametrize("location", [(2, 3, 5), (1, 2, 2)])
def test_a_tuple_location_places_the_subplot(plt, load_step, location):
    check_place(draw(plt, load_step, an_image(), 7, location), *location)


def test_a_grid_drawn_as_kata_train_draws_its_samples(plt, load_step):
    # kata train: plot_image(plt, image, int(class), (28, 28), (rows, cols, i + 1)) for each sample.
    numbers = [9, 0, 3, 7, 2, 5]
    for index, number in enumerate(numbers):
        axes = draw(plt, load_step, an_image(index), int(number), (2, 3, index + 1))
        check_place(axes, 2, 3, index + 1)
        check_title(axes, number, number)
    if len(figure_of(plt).axes) != len(numbers):
        fail(f"tras {len(numbers)} llamadas la figura tiene {len(figure_of(plt).axes)} subplots; cada llamada añade uno.",
             f"after {len(numbers)} calls the figure has {len(figure_of(plt).axes)} subplots; each call adds one.")


def test_two_images_side_by_side_keep_their_own_pixels_and_titles(plt, load_step):
    left_data, right_data = an_image(1), an_image(2)
    left = draw(plt, load_step, left_data, one_hot(2), 121)
    right = draw(plt, load_step, right_data, one_hot(7), 122)
    check_place(left, 1, 2, 1)
    check_place(right, 1, 2, 2)
    check_title(left, 2)
    check_title(right, 7)
    expect_close(drawn_image(right), right_data.reshape(28, 28), "la imagen de la derecha", "the right-hand image")
