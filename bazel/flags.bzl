"""A string build setting restricted to a fixed set of values.

Unlike --define, a misspelt value (--//bazel:sanitizer=adress) is an error
instead of silently selecting the default branch.
"""

def _choice_flag_impl(ctx):
    value = ctx.build_setting_value
    if value not in ctx.attr.values:
        fail("--//{}:{}={}: must be one of {}".format(
            ctx.label.package,
            ctx.label.name,
            value,
            ", ".join(ctx.attr.values),
        ))
    return []

choice_flag = rule(
    implementation = _choice_flag_impl,
    build_setting = config.string(flag = True),
    attrs = {"values": attr.string_list(mandatory = True)},
)
