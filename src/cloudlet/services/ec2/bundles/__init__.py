"""The files of cloudlet's built-in images (see `images.py`): Python modules, so they ship with the
package; each is copied into its image's bundle directory the first time the image is used."""
