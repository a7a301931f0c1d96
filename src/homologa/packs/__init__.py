"""The wire shape of a contract pack, as data: compiled request/answer templates, answer paths, status words and
the binding (plain XML POST or SOAP 1.1). :mod:`homologa.contract` loads a pack and checks its shape against the
pack's own XSDs and examples; every layer renders and reads messages through :class:`~homologa.packs.shape.WireShape`.
"""
