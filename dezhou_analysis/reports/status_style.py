"""How an assessment status is shown: its colour and its words, in charts and on the index
page alike. A module of its own, importing nothing, so the index page (made by the runner) does
not load the plotting libraries for them."""

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies
STATUS_COLOURS = {
    "met": "#009E73", "met at base": "#7FCBB4", "on track": "#56B4E9", "uncertain": "#E69F00",
    "off track": "#D55E00", "missed": "#CC79A7", "unable to assess": "#BBBBBB",
}
STATUS_LABELS = {
    "met": ("已实现", "met"), "met at base": ("基期已实现", "met at base"),
    "on track": ("有望实现", "on track"), "uncertain": ("不确定", "uncertain"),
    "off track": ("难以实现", "off track"), "missed": ("未实现", "missed"),
    "unable to assess": ("无法评估", "unable to assess"),
}
