"""`kata dev bench`: seconds per epoch of the tensorflow track against keras.Model.fit, and memory."""


def register(sub):
    from kata_dev import bench

    p = sub.add_parser("bench", help="seconds per epoch of `kata train` against keras.Model.fit, and peak memory")
    bench.add_options(p)
    p.set_defaults(func=lambda args: int(bench.main(args=args) or 0))
