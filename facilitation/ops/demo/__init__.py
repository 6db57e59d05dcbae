"""ops/demo"""
