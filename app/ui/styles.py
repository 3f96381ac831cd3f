"""The colours of the program's messages, in one place: dialogs, panels and the status bar use them
alike (a tiny module, so that a dialog module can import them without the item editors)."""

#: a refusal or a problem: red
ERROR_STYLE = "color: #b00020;"
#: advice the user should act on (a draft's mark, where backups are kept, why a year was chosen)
ADVICE_STYLE = "color: #8a5a00;"
