"""The leads inbox: raw signals captured in two lines, labelled, assigned, converted to deals."""
