//! Logic shared by the Airalo and PressOne simulations (PressOne serves Airalo-shaped data).
